variable "region" {
  type = string
}

resource "plumb_data" "a" {
  input = var.region
}
