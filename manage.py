#!/usr/bin/env python
from otklik.cli import main

if __name__ == "__main__":
    main()
