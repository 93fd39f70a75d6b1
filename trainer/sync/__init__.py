"""Field sites and headquarters (docs/sync.md): identity, trusted peers, number blocks, and the
exchange of records in signed, encrypted bundles (log, bundle, merge, exchange).

Imports only db, errors, accounts and reporting.summary (an import refreshes the summaries);
certification asks it for the number block.
"""
