"""The history wing: stored results, rollups and the reads of them (uptime, histograms)."""
