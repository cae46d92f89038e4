variable "n" { default = 3 }

resource "plumb_data" "item" {
  count = var.n
  input = "item-${count.index}"
}

output "second" { value = plumb_data.item[1].output }
output "all" { value = [for i in plumb_data.item : i.output] }
output "how_many" { value = length(plumb_data.item) }
