resource "plumb_data" "x" { input = 1 }
resource "plumb_data" "x" { input = 2 }
