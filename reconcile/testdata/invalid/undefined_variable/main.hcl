resource "plumb_data" "a" {
  input = var.nope
}
