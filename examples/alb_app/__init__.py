"""FastAPI behind an Application Load Balancer: its signed headers verified (see README.md)."""
