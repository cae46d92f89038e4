resource "plumb_data" "a" {
  count = -1
}
