# The nine workloads of WORKLOADS.md and the example each one benches; sourced by compare.sh and scaling.sh.
declare -A FILE=(
  [mlp]=mnist_mlp.ingot [cnn]=mnist_cnn.ingot [rnn]=char_rnn.ingot [lstm]=char_lstm.ingot
  [gru]=char_gru.ingot [bilstm]=sentiment_bilstm.ingot [ae]=mnist_autoencoder.ingot
  [seq2seq]=seq2seq.ingot [transformer]=char_transformer.ingot
)
ALL=(mlp cnn rnn lstm gru bilstm ae seq2seq transformer)
