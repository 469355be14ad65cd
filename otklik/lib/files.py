"""Stored files and transactions."""

from django.core.files.storage import Storage
from django.db import transaction


def delete_on_commit(storage: Storage, name: str) -> None:
    """Delete a stored file once the transaction that stopped listing it commits: a rollback must not
    lose a file that the database still lists."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))
