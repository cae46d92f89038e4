resource "plumb_data" "a" {
  input = "ok"
}

resorce "plumb_data" "b" {
}
