variable "name" {}
variable "sizes" { type = list(number) }
variable "opts" { type = map(string) }

output "echo" { value = "${var.name}:${join(",", var.sizes)}:${var.opts["k"]}" }
