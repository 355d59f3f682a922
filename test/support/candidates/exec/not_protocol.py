# Not a candidate: its first line is not the protocol's declaration.
print("hello, I am a dropout")
