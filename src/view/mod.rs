//! Pure functions from an engine snapshot to what is drawn.
