"""The live Solara view of the model (issue #4); it uses the model only through ``model``'s public API."""
