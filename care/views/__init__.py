"""Views of the care app: patients' sharing pages, the doctors' workspace, staff metrics."""
