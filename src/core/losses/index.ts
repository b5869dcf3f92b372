// The losses of docs/method.md, one file each.
export { crossEntropyLoss, maeLoss, taskLoss } from './task';
export { kdLoss, softCrossEntropy, stopGradient, type KdOptions } from './kd';
export { hintLoss, hintTotal } from './hint';
export { tripletLoss, l2Normalize, squaredDistance } from './triplet';
