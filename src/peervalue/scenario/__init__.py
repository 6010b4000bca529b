"""Local business cases: a scenario file layered over national defaults, projected year by
year with its uncertainty (schema, pure yearly model, typed results)."""
