//! Black-box tests of the agent-registry binary (see the files under tests/).
