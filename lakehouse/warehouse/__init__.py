"""Delta tables at WAREHOUSE/<schema>/<table>: their registry and their maintenance."""
