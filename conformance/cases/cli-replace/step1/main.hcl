resource "plumb_data" "a" { input = "a" }
resource "plumb_data" "b" { input = "b" }
