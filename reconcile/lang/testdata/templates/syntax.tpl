line one
line two ${oops(
