// Loaded by directives.ipynb with #load, relative to the notebook.
int Twice(int x) => 2 * x;
