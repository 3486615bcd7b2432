"""Small utilities shared by every app.  Imports no Kembar app."""
