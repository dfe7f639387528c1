import GleanCore
