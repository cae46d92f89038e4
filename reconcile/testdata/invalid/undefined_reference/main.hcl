resource "plumb_data" "a" {
  input = plumb_data.missing.output
}
