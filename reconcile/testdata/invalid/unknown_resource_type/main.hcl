resource "plumb_dat" "a" {
  input = 1
}
