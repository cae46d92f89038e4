resource "plumb_data" "x" {
  input  = 1
  colour = "red"
}
