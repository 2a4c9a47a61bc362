"""gsbench: implicit versus explicit regularisation for group-sparse recovery."""
