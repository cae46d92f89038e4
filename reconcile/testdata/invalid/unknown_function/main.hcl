resource "plumb_data" "a" {
  input = uper("x")
}
