variable "names" {
  default   = ["a"]
  sensitive = true
}
resource "plumb_data" "x" {
  for_each = toset(var.names)
  input    = each.value
}
