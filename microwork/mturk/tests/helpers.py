"""A boto3 `mturk` client against the live test server, as a requester would make it."""

from decimal import Decimal

import boto3
from botocore.config import Config

from microwork.accounts.models import User
from microwork.mturk.services.keys import access_key_create

HTML_QUESTION = """<HTMLQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd">
<HTMLContent><![CDATA[<!DOCTYPE html>
<html><head><meta http-equiv='Content-Type' content='text/html; charset=UTF-8'/>
<script type='text/javascript' src='https://s3.amazonaws.com/mturk-public/externalHIT_v1.js'></script></head>
<body><form name='mturk_form' method='post' id='mturk_form' action='https://www.mturk.com/mturk/externalSubmit'>
<input type='hidden' value='' name='assignmentId' id='assignmentId'/>
<h1>Is this sentence polite?</h1>
<p>Could you pass the salt, please?</p>
<label><input type='radio' name='polite' value='yes' required> Yes</label>
<label><input type='radio' name='polite' value='no'> No</label>
<label for='why'>Why?</label><input type='text' id='why' name='why' maxlength='200'>
<p><input type='submit' id='submitButton' value='Submit' /></p></form>
<script language='Javascript'>turkSetAssignmentID();</script></body></html>]]></HTMLContent>
<FrameHeight>450</FrameHeight>
</HTMLQuestion>"""

QUESTION_FORM = """<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd">
<Overview><Title>Colours</Title><Text>Two short questions.</Text></Overview>
<Question><QuestionIdentifier>colour</QuestionIdentifier><DisplayName>Colour</DisplayName>
<IsRequired>true</IsRequired><QuestionContent><Text>Which colour is the sky?</Text></QuestionContent>
<AnswerSpecification><SelectionAnswer><StyleSuggestion>radiobutton</StyleSuggestion><Selections>
<Selection><SelectionIdentifier>blue</SelectionIdentifier><Text>Blue</Text></Selection>
<Selection><SelectionIdentifier>green</SelectionIdentifier><Text>Green</Text></Selection>
</Selections></SelectionAnswer></AnswerSpecification></Question>
<Question><QuestionIdentifier>comment</QuestionIdentifier><QuestionContent><Text>Anything else?</Text></QuestionContent>
<AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question>
</QuestionForm>"""


def client_for(base_url: str, key_id: str, secret: str):
    return boto3.client(
        "mturk",
        endpoint_url=f"{base_url}/mturk",
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def requester_client(base_url: str, user: User):
    key, secret = access_key_create(user=user)
    return client_for(base_url, key.access_key_id, secret)


def hit_params(**extra):
    params = {
        "MaxAssignments": 2,
        "LifetimeInSeconds": 3600,
        "AssignmentDurationInSeconds": 600,
        "Reward": "0.50",
        "Title": "Polite or not",
        "Keywords": "text, politeness",
        "Description": "Say whether a sentence is polite.",
        "Question": HTML_QUESTION,
        "AutoApprovalDelayInSeconds": 3 * 24 * 3600,
    }
    params.update(extra)
    return params


def balance(client) -> Decimal:
    return Decimal(client.get_account_balance()["AvailableBalance"])
