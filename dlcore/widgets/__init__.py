"""Interactive widgets for the chapters, one module per widget.

Each module keeps the widget's logic in plain, tested functions (compute and draw one
picture) and ends with a ``*_widget()`` function that wires ipywidgets sliders to them, so
a notebook cell only calls ``*_widget()``. This package deliberately imports nothing:
import the module you need, e.g. ``from dlcore.widgets.linear_map import linear_map_widget``.
"""
