resource "plumb_data" "a" {
  input = count.index
}
