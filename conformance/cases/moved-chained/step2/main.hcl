resource "plumb_data" "c" { input = "x" }

moved {
  from = plumb_data.a
  to   = plumb_data.b
}

moved {
  from = plumb_data.b
  to   = plumb_data.c
}
