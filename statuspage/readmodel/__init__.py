"""The read model every surface reads: current status, the v2 documents, history."""
