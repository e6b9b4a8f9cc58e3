"""Routing by objective: per-platform latency and cost predictors, objectives that decide from
their predictions, and explanations of each decision.

Why beside the classifier: a classifier learns one yes/no label that bakes in one objective
(Lambda 10 % better on both latency and cost). Predicting each platform's latency and cost
lets the user change the goal (an SLO, a budget, a value of time) without relabelling or
retraining.
"""
