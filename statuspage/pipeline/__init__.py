"""The status chain composed in one place: which stage's output each next stage consumes."""
