"""Field sites and headquarters (docs/sync.md): identity, trusted peers, number blocks."""
