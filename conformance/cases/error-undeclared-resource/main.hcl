output "x" { value = plumb_data.nothing.output }
