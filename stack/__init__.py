"""The embedded reference platform: each system's public contract as real local processes."""
