resource "plumb_data" "a" {
  input = "ok"
  output = = 2
}
