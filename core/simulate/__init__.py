"""Simulation of Lambda, Fargate and routed fleets: traffic, platforms, routers, pricing."""
