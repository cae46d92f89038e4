variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }

output "values" { value = [var.a, var.b, var.c, var.d] }
