"""Ship a trained model: Lambda zip, SAM template, boto3 deploy, SageMaker model.tar.gz.

Everything that ships holds the model as JSON plus the standard-library evaluator
(core.portable), never a pickle.
"""
