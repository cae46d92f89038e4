variable "ports" {
  type    = list(number)
  default = ["80", "443"]
}

variable "weights" {
  type    = map(number)
  default = { a = "1", b = 2 }
}

variable "pair" {
  type    = tuple([string, number])
  default = ["x", "3"]
}

variable "anything" {
  default = { list = [1, 2], text = "t" }
}

output "ports" { value = var.ports }
output "weights" { value = var.weights }
output "pair" { value = var.pair }
output "anything" { value = var.anything.list }
