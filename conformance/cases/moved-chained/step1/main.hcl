resource "plumb_data" "a" { input = "x" }
