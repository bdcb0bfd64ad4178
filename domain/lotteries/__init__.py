"""Lotteries with provably fair draws: a few points buy a draw from a published prize table."""
