"""Models as data: export a trained pipeline to JSON (export) and evaluate that JSON with the
Python standard library only (evaluator, which ships inside the deployed artifacts)."""
