import Tensors
