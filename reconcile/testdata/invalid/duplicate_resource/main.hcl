resource "plumb_data" "a" {
  input = 1
}

resource "plumb_data" "a" {
  input = 2
}
