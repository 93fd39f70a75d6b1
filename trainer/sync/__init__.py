"""Field sites and headquarters (docs/sync.md): identity, trusted peers, number blocks.

Imports only db, errors and accounts; certification asks it for the number block.
"""
