"""The UI's blueprints, one module per page family."""
