resource "plumb_data" "x" { input = count.index }
